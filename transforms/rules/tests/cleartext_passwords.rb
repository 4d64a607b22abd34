class SessionsController < ApplicationController
  def create
    password = params[:password]
    # ruleid: ruby-password-logged
    logger.info("login #{params[:user]} #{password}")
    # ruleid: ruby-password-logged
    Rails.logger.debug "login with " + params[:user_password].to_s
    # ok: ruby-password-logged
    logger.info("login #{params[:user]}")
  end

  def remember
    # ruleid: ruby-password-in-cookie
    cookies[:password] = params[:password]
    # ruleid: ruby-password-in-cookie
    cookies[:pw] = { value: params[:password], expires: 1.year }
    # ok: ruby-password-in-cookie
    cookies.signed[:user_id] = current_user.id
  end
end
